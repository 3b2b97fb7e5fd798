/**
 * Does nothing. The compiler benchmark times it in a fresh process like `generate-once.mjs`
 * (Node with tsx registered), to show the floor its rows stand on: on a busy machine that
 * floor alone can take most of the rerun budget.
 */
export {};
