import type { RootDb } from '../storage/database.js';
import { insertEvents, paginate } from '../storage/query-helpers.js';
import type { EventStore } from './event-store.js';

export function eventQueries(db: RootDb): EventStore {
  return {
    listEvents(appId, filter, page) {
      let q = db.selectFrom('events').selectAll().where('app_id', '=', appId);
      if (filter.type !== undefined) q = q.where('type', '=', filter.type);
      if (filter.subject_id !== undefined) q = q.where('subject_id', '=', filter.subject_id);
      if (filter.user_id !== undefined) {
        const userId = filter.user_id;
        // A user's events are about the user, or about one of its links or sessions (their subject is that id).
        q = q.where((eb) =>
          eb.or([
            eb('subject_id', '=', userId),
            eb(
              'subject_id',
              'in',
              eb
                .selectFrom('magic_links')
                .select('id')
                .where('app_id', '=', appId)
                .where('user_id', '=', userId),
            ),
            eb(
              'subject_id',
              'in',
              eb
                .selectFrom('sessions')
                .select('id')
                .where('app_id', '=', appId)
                .where('user_id', '=', userId),
            ),
          ]),
        );
      }
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
      return paginate(q, 'id', page).execute();
    },

    getEvent: (appId, id) =>
      db.selectFrom('events').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst(),

    listEventsAfter(appId, range, limit) {
      let q = db
        .selectFrom('events')
        .selectAll()
        .where('app_id', '=', appId)
        .where('id', '>', range.after)
        .where('id', '<=', range.upTo);
      if (range.type !== undefined) q = q.where('type', '=', range.type);
      return q.orderBy('id', 'asc').limit(limit).execute();
    },

    async insertEvents(events) {
      await insertEvents(db, events);
    },
  };
}
