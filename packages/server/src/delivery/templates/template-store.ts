/** The store operations of an app's message templates (delivery/templates/template-queries.ts). */

import type { AppContext } from '../../apps/app-store.js';
import type { ServiceContext } from '../../context.js';
import type { TemplateRow } from '../../storage/rows.js';
import type { LinkType } from '../../storage/schema.js';

export interface TemplateStore {
  upsertTemplate(row: TemplateRow): Promise<void>;
  getTemplate(appId: string, type: LinkType, language: string): Promise<TemplateRow | undefined>;
  listTemplates(appId: string): Promise<TemplateRow[]>;
  deleteTemplate(appId: string, type: LinkType, language: string): Promise<boolean>;
}

/** What the template services receive. */
export type TemplateContext = AppContext & ServiceContext<TemplateStore>;
