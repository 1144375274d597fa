import { Link } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useAppQuery } from '../ui/app-query.js';
import type { Page } from '../ui/pager.js';
import { LANGUAGES, LINK_TYPES, overriddenParts, PART_LABELS, type TemplateView } from './template-types.js';

/**
 * Each link type with its eight languages, saying which the app has made its own and which parts. The API answers
 * every one of the 24 at once (no pages: the list is fixed), so this is the whole grid.
 */
export function TemplateGrid() {
  const templates = useAppQuery(['templates', 'list'], (api, app) =>
    api.v1<Page<TemplateView>>('GET', '/templates', { app }),
  );
  const byKey = new Map(templates.data?.data.map((t) => [`${t.type}/${t.language}`, t]));
  const count = templates.data?.data.filter((t) => overriddenParts(t).length > 0).length ?? 0;
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>Templates</ScreenTitle>
      <p className="muted">
        The messages that carry each link, by email and SMS. Every one starts as Latchkey's own text; change
        any part of one in one language and the rest stays built in. A link's message is in its{' '}
        <code>language</code>, else the app's default language.
      </p>
      {templates.isPending && <p role="status">Loading…</p>}
      <FormError message={templates.error?.message} />
      {templates.data && (
        <>
          <p>
            {count === 0
              ? 'This app uses the built-in messages everywhere. Choose a type and language to make one your own.'
              : `This app has its own text in ${count} of ${templates.data.data.length} templates.`}
          </p>
          {LINK_TYPES.map((type) => (
            <section key={type.value} className="template-type" aria-labelledby={`type-${type.value}`}>
              <h2 id={`type-${type.value}`}>{type.label}</h2>
              <ul className="template-grid">
                {LANGUAGES.map((language) => {
                  const template = byKey.get(`${type.value}/${language.value}`);
                  const parts = template ? overriddenParts(template) : [];
                  return (
                    <li key={language.value}>
                      <Link
                        href={`/${type.value}/${language.value}`}
                        className={parts.length > 0 ? 'template-cell overridden' : 'template-cell'}
                      >
                        <span className="template-language">{language.label}</span>
                        <span className={parts.length > 0 ? 'badge badge-good' : 'badge badge-plain'}>
                          {parts.length > 0 ? 'overridden' : 'built in'}
                        </span>
                        {parts.length > 0 && (
                          <span className="template-parts">
                            {parts.map((part) => PART_LABELS[part]).join(', ')}
                          </span>
                        )}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
