/**
 * The languages Latchkey speaks: its pages, its default messages, and the values an app's `default_language` and a
 * link's `language` may take. One list and one way to read a language tag, for every part that needs either.
 */
export const LANGUAGES = ['en', 'de', 'es', 'fr', 'it', 'pl', 'pt', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The supported language for a tag such as `pt-BR`, `zh-Hans` or `DE`, matched on its primary subtag. */
export function toLanguage(tag: string | null | undefined): Language | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/, 1)[0];
  return LANGUAGES.find((language) => language === primary);
}
