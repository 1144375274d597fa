import { Route, Switch } from 'wouter';
import { CampaignDetailView } from './campaign-detail.js';
import { CampaignList } from './campaign-list.js';
import { NewCampaign } from './new-campaign.js';

/**
 * Campaigns: links in bulk from a CSV file (docs/dashboard.md "Campaigns"). The list, a new campaign (file, column
 * mapping, dry run, run with progress) and each campaign's own page (its funnel, its links as CSV, revoke).
 */
export default function CampaignsScreen() {
  return (
    <Switch>
      <Route path="/">
        <CampaignList />
      </Route>
      <Route path="/new">
        <NewCampaign />
      </Route>
      <Route path="/:id">{(params) => <CampaignDetailView id={params.id} />}</Route>
    </Switch>
  );
}
