/**
 * zod's issue messages in the compiler: classic `zod` loads its English locale when its first
 * schema is made, `zod/mini` loads none (every issue then reads "Invalid input"). The compiler
 * reports `initial` mismatches with zod's messages, so it loads English itself, as classic zod
 * would, unless a locale is already set (by classic zod, or by a schema module's own
 * `z.config(...)`): a module written with `zod/mini` gets the same messages as one written
 * with `zod`.
 */
type Locale = {
  config: (settings?: { localeError?: unknown }) => { localeError?: unknown };
  english: () => { localeError?: unknown };
};

let locale: Promise<Locale> | undefined;

async function loadLocale(): Promise<Locale> {
  const [core, english] = await Promise.all([import('zod/v4/core'), import('zod/v4/locales/en.js')]);
  return { config: core.config as unknown as Locale['config'], english: english.default as unknown as Locale['english'] };
}

/** Sets zod's English messages unless a locale is set. */
export async function englishZodMessages(): Promise<void> {
  locale ??= loadLocale();
  const { config, english } = await locale;
  if (!config().localeError) config(english());
}
