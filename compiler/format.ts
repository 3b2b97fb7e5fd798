import { ts } from 'ts-morph';
import { tidyBlankLines } from './writer.js';

const SETTINGS: ts.FormatCodeSettings = {
  indentSize: 2,
  tabSize: 2,
  baseIndentSize: 0,
  convertTabsToSpaces: true,
  indentStyle: ts.IndentStyle.Smart,
  newLineCharacter: '\n',
  semicolons: ts.SemicolonPreference.Insert,
  insertSpaceAfterCommaDelimiter: true,
  insertSpaceAfterSemicolonInForStatements: true,
  insertSpaceBeforeAndAfterBinaryOperators: true,
  insertSpaceAfterKeywordsInControlFlowStatements: true,
  insertSpaceAfterFunctionKeywordForAnonymousFunctions: true,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  insertSpaceAfterTypeAssertion: false,
  placeOpenBraceOnNewLineForFunctions: false,
  placeOpenBraceOnNewLineForControlBlocks: false,
};

const FILE = '/generated.ts';

/**
 * The style generated TypeScript follows, as the TypeScript language service that ts-morph
 * ships formats it: one service with one in-memory file, no lib files, no type-checking. It
 * also rejects text that does not parse. `esre generate` does not run it (building a program
 * per file cost ~3 s of CPU on 50 aggregates): emitters produce this formatting by
 * construction, and the compiler's tests check every emitted file against it.
 */
export class TypeScriptFormatter {
  #text = '';
  #version = 0;
  readonly #service: ts.LanguageService;

  constructor() {
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [FILE],
      getScriptVersion: () => String(this.#version),
      getScriptSnapshot: (name) => (name === FILE ? ts.ScriptSnapshot.fromString(this.#text) : undefined),
      getCurrentDirectory: () => '/',
      getCompilationSettings: () => ({ noLib: true, noResolve: true, target: ts.ScriptTarget.ES2022, types: [] }),
      getDefaultLibFileName: () => '/lib.d.ts',
      fileExists: (name) => name === FILE,
      readFile: (name) => (name === FILE ? this.#text : undefined),
    };
    this.#service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /** The formatted text; throws when `text` does not parse. `name` is only used in the error. */
  format(name: string, text: string): string {
    this.#text = text;
    this.#version++;
    const errors = this.#service.getSyntacticDiagnostics(FILE);
    if (errors.length > 0) {
      const error = errors[0]!;
      const line = text.slice(0, error.start ?? 0).split('\n').length;
      throw new Error(`generated ${name} does not parse (line ${line}): ${ts.flattenDiagnosticMessageText(error.messageText, ' ')}`);
    }
    const edits = this.#service.getFormattingEditsForDocument(FILE, SETTINGS);
    let formatted = text;
    for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start)) {
      formatted = formatted.slice(0, edit.span.start) + edit.newText + formatted.slice(edit.span.start + edit.span.length);
    }
    return tidyBlankLines(formatted);
  }
}
