/**
 * The words of the built-in messages, one file per language. Each string is a mustache template over the variables
 * in `TEMPLATE_VARIABLES`; `default-templates.ts` puts them into the subject, the text and HTML bodies and the SMS.
 * Strings hold no HTML: the layout escapes them and adds the markup.
 *
 * SMS strings stay in the GSM-7 alphabet where the language allows (no typographic apostrophes, dashes or
 * no-break spaces), so that a message with a typical link fits in one segment.
 */
import type { Language } from '../../pages/languages.js';
import type { LanguageStrings } from './language-strings.js';
import { de } from './strings-de.js';
import { en } from './strings-en.js';
import { es } from './strings-es.js';
import { fr } from './strings-fr.js';
import { it } from './strings-it.js';
import { pl } from './strings-pl.js';
import { pt } from './strings-pt.js';
import { zh } from './strings-zh.js';

export const STRINGS: Record<Language, LanguageStrings> = { en, de, es, fr, it, pl, pt, zh };
