// Placeholder until the compiler lands: prints help.
console.log('esre: the event-sourced rules engine schema compiler\n\nUsage: esre generate | check | --help');
