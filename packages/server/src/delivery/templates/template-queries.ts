import type { RootDb } from '../../storage/database.js';
import type { TemplateStore } from './template-store.js';

export function templateQueries(db: RootDb): TemplateStore {
  return {
    async upsertTemplate(row) {
      await db
        .insertInto('templates')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['app_id', 'type', 'language']).doUpdateSet({
            subject: row.subject,
            text: row.text,
            html: row.html,
            sms: row.sms,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },

    getTemplate: (appId, type, language) =>
      db
        .selectFrom('templates')
        .selectAll()
        .where('app_id', '=', appId)
        .where('type', '=', type)
        .where('language', '=', language)
        .executeTakeFirst(),

    listTemplates: (appId) =>
      db
        .selectFrom('templates')
        .selectAll()
        .where('app_id', '=', appId)
        .orderBy('type')
        .orderBy('language')
        .execute(),

    async deleteTemplate(appId, type, language) {
      const result = await db
        .deleteFrom('templates')
        .where('app_id', '=', appId)
        .where('type', '=', type)
        .where('language', '=', language)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
