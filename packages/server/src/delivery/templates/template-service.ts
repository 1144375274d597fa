/**
 * Which template a message uses (the built-in one, with any part the app overrides laid over it), what it says once
 * filled in, and the API's view of the overrides: save (validated as a whole), reset, list and preview.
 */
import type { Static } from 'typebox';
import { type AppSettings, publicUrlOf, readSettings } from '../../apps/app-settings.js';
import { ApiError } from '../../errors/api-error.js';
import { iso } from '../../http/present.js';
import { LANGUAGES, type Language, toLanguage } from '../../pages/languages.js';
import type { AppRow, TemplateRow } from '../../storage/rows.js';
import type { LinkType } from '../../storage/schema.js';
import { defaultTemplate, LINK_TYPES } from './default-templates.js';
import { expiresInWords } from './expires-in.js';
import {
  renderEmailParts,
  renderParts,
  renderSmsPart,
  TEMPLATE_PARTS,
  type TemplateData,
  type TemplatePart,
  type TemplateParts,
} from './render.js';
import type { Template } from './template-present.js';
import type { TemplateContext } from './template-store.js';
import { validateTemplateParts } from './validate.js';

type Overrides = Pick<TemplateRow, TemplatePart>;

/** The built-in parts with the app's non-null overrides on top. */
export function overlayTemplate(base: TemplateParts, row: Overrides | undefined): TemplateParts {
  return {
    subject: row?.subject ?? base.subject,
    text: row?.text ?? base.text,
    html: row?.html ?? base.html,
    sms: row?.sms ?? base.sms,
  };
}

/** Where an app's template override is read from: the store, or a cache of it (the outbox worker's, per claim). */
export type TemplateLookup = (
  appId: string,
  type: LinkType,
  language: Language,
) => Promise<TemplateRow | undefined>;

export async function templateFor(
  ctx: TemplateContext,
  appId: string,
  type: LinkType,
  language: Language,
  lookup: TemplateLookup = (...key) => ctx.store.getTemplate(...key),
): Promise<TemplateParts> {
  return overlayTemplate(defaultTemplate(type, language), await lookup(appId, type, language));
}

/** The link's language if supported (`pt-BR` counts as `pt`), else the app's default, else English. */
export function messageLanguage(linkLanguage: string | null, defaultLanguage: string): Language {
  return toLanguage(linkLanguage) ?? toLanguage(defaultLanguage) ?? 'en';
}

export interface LinkMessageInput {
  /** Reads the app's override; the store by default. */
  templates?: TemplateLookup;
  appId: string;
  appName: string;
  type: LinkType;
  language: string | null;
  defaultLanguage: string;
  url: string;
  code?: string;
  expiresInMinutes: number;
  identifier: string;
  identifierKind: 'email' | 'phone';
}

/** A link's message with every part filled in. */
export async function renderLinkMessage(
  ctx: TemplateContext,
  input: LinkMessageInput,
): Promise<TemplateParts> {
  const { parts, data } = await linkMessageTemplate(ctx, input);
  return renderParts(parts, data);
}

/** The email of a link's message: subject, text and HTML. */
export async function renderLinkEmail(
  ctx: TemplateContext,
  input: LinkMessageInput,
): Promise<Omit<TemplateParts, 'sms'>> {
  const { parts, data } = await linkMessageTemplate(ctx, input);
  return renderEmailParts(parts, data);
}

/** The SMS of a link's message. */
export async function renderLinkSms(ctx: TemplateContext, input: LinkMessageInput): Promise<string> {
  const { parts, data } = await linkMessageTemplate(ctx, input);
  return renderSmsPart(parts, data);
}

async function linkMessageTemplate(
  ctx: TemplateContext,
  input: LinkMessageInput,
): Promise<{ parts: TemplateParts; data: TemplateData }> {
  const language = messageLanguage(input.language, input.defaultLanguage);
  const parts = await templateFor(ctx, input.appId, input.type, language, input.templates);
  const data: TemplateData = {
    app_name: input.appName,
    link_url: input.url,
    expires_in: expiresInWords(input.expiresInMinutes, language),
    code: input.code,
    identifier: input.identifier,
    is_email: input.identifierKind === 'email',
    is_phone: input.identifierKind === 'phone',
  };
  return { parts, data };
}

// --- The API's view -------------------------------------------------------------------------------------------

/** A template as the API shows it (template-present.ts). */
export type TemplateView = Static<typeof Template>;

function present(type: LinkType, language: Language, row: TemplateRow | undefined): TemplateView {
  return {
    type,
    language,
    ...overlayTemplate(defaultTemplate(type, language), row),
    overridden: {
      subject: row?.subject != null,
      text: row?.text != null,
      html: row?.html != null,
      sms: row?.sms != null,
    },
    updated_at: row ? iso(row.updated_at) : null,
  };
}

/** Every link type in every language, overridden or not. */
export async function listTemplates(ctx: TemplateContext, appId: string): Promise<TemplateView[]> {
  const rows = await ctx.store.listTemplates(appId);
  const byKey = new Map(rows.map((row) => [`${row.type}:${row.language}`, row]));
  return LINK_TYPES.flatMap((type) =>
    LANGUAGES.map((language) => present(type, language, byKey.get(`${type}:${language}`))),
  );
}

export async function getTemplate(
  ctx: TemplateContext,
  appId: string,
  type: LinkType,
  language: Language,
): Promise<TemplateView> {
  return present(type, language, await ctx.store.getTemplate(appId, type, language));
}

/** A part set to a string overrides it; `null` returns it to the built-in text; absent leaves it as it is. */
export type TemplateChanges = Partial<Record<TemplatePart, string | null>>;

export async function saveTemplate(
  ctx: TemplateContext,
  appId: string,
  type: LinkType,
  language: Language,
  changes: TemplateChanges,
): Promise<TemplateView> {
  if (!TEMPLATE_PARTS.some((part) => changes[part] !== undefined)) {
    throw new ApiError('validation_failed', 'Send at least one of subject, text, html or sms.', {
      param: 'body',
    });
  }
  const current = await ctx.store.getTemplate(appId, type, language);
  const next: Overrides = {
    subject: pick(changes.subject, current?.subject),
    text: pick(changes.text, current?.text),
    html: pick(changes.html, current?.html),
    sms: pick(changes.sms, current?.sms),
  };
  // The merged result is what will be sent, so that is what must be valid.
  validateTemplateParts(overlayTemplate(defaultTemplate(type, language), next));
  if (TEMPLATE_PARTS.every((part) => next[part] === null)) {
    await ctx.store.deleteTemplate(appId, type, language);
    return present(type, language, undefined);
  }
  const row: TemplateRow = { app_id: appId, type, language, ...next, updated_at: ctx.clock() };
  await ctx.store.upsertTemplate(row);
  return present(type, language, row);
}

function pick(change: string | null | undefined, current: string | null | undefined): string | null {
  return change === undefined ? (current ?? null) : change;
}

/** Back to the built-in template; `not_found` when the app had no override. */
export async function resetTemplate(
  ctx: TemplateContext,
  appId: string,
  type: LinkType,
  language: Language,
): Promise<TemplateView> {
  if (!(await ctx.store.deleteTemplate(appId, type, language))) {
    throw new ApiError('not_found', `This app does not override the ${type} template in ${language}.`);
  }
  return present(type, language, undefined);
}

/** 49 characters, the length of a real link token, so a preview shows a link as long as the real ones. */
export const SAMPLE_TOKEN = '01pr3vpR3vIeW-sAmPlE-tOkEn-0123456789abcdefghijkl';
export const SAMPLE_CODE = '7KQ4-MZ';

export interface PreviewInput extends Partial<TemplateParts> {
  type: LinkType;
  language: Language;
  /** Show a sample code. */
  code?: boolean | undefined;
  identifier_kind?: 'email' | 'phone' | undefined;
}

/** Renders the app's effective template, with any given parts in place of it, for sample data. */
export async function previewTemplate(
  ctx: TemplateContext,
  appId: string,
  input: PreviewInput,
): Promise<TemplateParts> {
  const phone = input.identifier_kind === 'phone';
  const identifier = phone ? '+14155550123' : 'jane@example.com';
  return (await renderSample(ctx, appId, input, identifier)).parts;
}

/**
 * The preview's rendering, addressed to `identifier`: the effective template with the given draft parts (checked as a
 * save would check them) in place of it, a sample link and code. Also what a test message sends.
 */
export async function renderSample(
  ctx: TemplateContext,
  appId: string,
  input: PreviewInput,
  identifier: string,
): Promise<{ parts: TemplateParts; app: AppRow; settings: AppSettings }> {
  const app = await ctx.store.getApp(appId);
  if (!app) throw new ApiError('not_found', `No app with id ${appId}.`);
  const settings = readSettings(app.settings);
  const given: Partial<TemplateParts> = {};
  for (const part of TEMPLATE_PARTS) if (input[part] !== undefined) given[part] = input[part];
  validateTemplateParts(given);
  const parts = { ...(await templateFor(ctx, appId, input.type, input.language)), ...given };
  const publicUrl = publicUrlOf(settings, ctx.config.publicUrl);
  const phone = input.identifier_kind === 'phone';
  const rendered = renderParts(parts, {
    app_name: app.name,
    link_url: `${publicUrl}/l/${SAMPLE_TOKEN}`,
    expires_in: expiresInWords(settings.ttl_minutes[input.type], input.language),
    code: input.code ? SAMPLE_CODE : undefined,
    identifier,
    is_email: !phone,
    is_phone: phone,
  });
  return { parts: rendered, app, settings };
}
