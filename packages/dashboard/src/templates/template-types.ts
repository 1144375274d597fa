/** What the template routes answer (docs/api.md "Sending links"), and the names the screen shows for them. */

export const TEMPLATE_PARTS = ['subject', 'text', 'html', 'sms'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];
export type TemplateParts = Record<TemplatePart, string>;

export interface TemplateView extends TemplateParts {
  type: LinkType;
  language: Language;
  overridden: Record<TemplatePart, boolean>;
  updated_at: string | null;
}

export const LINK_TYPES = [
  { value: 'login', label: 'Sign-in' },
  { value: 'verify_identifier', label: 'Verify an address' },
  { value: 'invite', label: 'Invitation' },
] as const;
export type LinkType = (typeof LINK_TYPES)[number]['value'];

/** The eight languages of the built-in messages, each named in English and in itself. */
export const LANGUAGES = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'German (Deutsch)' },
  { value: 'es', label: 'Spanish (Español)' },
  { value: 'fr', label: 'French (Français)' },
  { value: 'it', label: 'Italian (Italiano)' },
  { value: 'pl', label: 'Polish (Polski)' },
  { value: 'pt', label: 'Portuguese (Português)' },
  { value: 'zh', label: 'Chinese (中文)' },
] as const;
export type Language = (typeof LANGUAGES)[number]['value'];

export const PART_LABELS: Record<TemplatePart, string> = {
  subject: 'Subject',
  text: 'Plain text',
  html: 'HTML',
  sms: 'SMS',
};

export function typeLabel(type: string): string {
  return LINK_TYPES.find((t) => t.value === type)?.label ?? type;
}

export function languageLabel(language: string): string {
  return LANGUAGES.find((l) => l.value === language)?.label ?? language;
}

export function overriddenParts(view: Pick<TemplateView, 'overridden'>): TemplatePart[] {
  return TEMPLATE_PARTS.filter((part) => view.overridden[part]);
}
