import { type FormatCodeSettings, Project, ts } from 'ts-morph';

const SETTINGS: FormatCodeSettings = {
  indentSize: 2,
  tabSize: 2,
  convertTabsToSpaces: true,
  indentStyle: ts.IndentStyle.Smart,
  newLineCharacter: '\n',
  semicolons: ts.SemicolonPreference.Insert,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  insertSpaceAfterFunctionKeywordForAnonymousFunctions: true,
  ensureNewLineAtEndOfFile: true,
};

/**
 * Parses and formats generated TypeScript with ts-morph: one in-memory project for the whole
 * run, no type-checking. Syntax errors in emitted code are caught here, before anything is written.
 */
export class TypeScriptFormatter {
  readonly #project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true, compilerOptions: { noLib: true } });

  /** The formatted text; throws when `text` does not parse. */
  format(fileName: string, text: string): string {
    const file = this.#project.createSourceFile(`/${fileName.replace(/[^A-Za-z0-9_.-]/g, '_')}`, text, { overwrite: true });
    try {
      const errors = this.#project.getLanguageService().compilerObject.getSyntacticDiagnostics(file.getFilePath());
      if (errors.length > 0) {
        const message = errors[0]!.messageText;
        throw new Error(`generated ${fileName} does not parse: ${typeof message === 'string' ? message : message.messageText}`);
      }
      file.formatText(SETTINGS);
      return collapseBlankLines(file.getFullText());
    } finally {
      this.#project.removeSourceFile(file);
    }
  }
}

function collapseBlankLines(text: string): string {
  return text.replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').replace(/\n*$/, '\n');
}
