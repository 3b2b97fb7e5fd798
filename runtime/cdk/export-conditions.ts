/**
 * The custom export conditions (`--conditions=x`, `-C x`) the current Node.js process runs with,
 * from its command-line options and `NODE_OPTIONS`, in order, without duplicates. A function
 * bundled with the same conditions resolves packages as the CDK app that defines it does.
 */
export function exportConditionsOfThisProcess(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const conditions: string[] = [];
  const options = [...execArgv, ...nodeOptions.split(/\s+/).filter((option) => option.length > 0)];
  for (let index = 0; index < options.length; index++) {
    const option = options[index]!;
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(option);
    const value = inline ? inline[1] : option === '--conditions' || option === '-C' ? options[++index] : undefined;
    if (value !== undefined && !conditions.includes(value)) conditions.push(value);
  }
  return conditions;
}
