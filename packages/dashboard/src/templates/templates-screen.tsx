import { Route, Switch } from 'wouter';
import { TemplateEditorScreen } from './template-editor.js';
import { TemplateGrid } from './template-grid.js';

/**
 * Templates: every link type in the eight languages, which of them the app overrides, and an editor per type and
 * language with a live preview (docs/dashboard.md "Templates").
 */
export default function TemplatesScreen() {
  return (
    <Switch>
      <Route path="/">
        <TemplateGrid />
      </Route>
      <Route path="/:type/:language">
        {(params) => <TemplateEditorScreen type={params.type} language={params.language} />}
      </Route>
    </Switch>
  );
}
