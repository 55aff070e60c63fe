import { CampaignView } from './campaign.view';
import { CampaignsView } from './campaigns.view';
import { CycleView } from './cycle.view';
import { HistoryView } from './history.view';
import { NowView } from './now.view';
import { Link, parseRoute, useLocation } from './router.hook';
import { TokenPrompt } from './token.prompt';

export function App() {
  const { path } = useLocation();
  const route = parseRoute(path);
  const tab = (href: string, label: string, active: boolean) => (
    <Link href={href} className={active ? 'tab active' : 'tab'} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          ktrdr research
        </div>
        <nav aria-label="Views" className="tabs">
          {tab('/', 'Now', route.view === 'now')}
          {tab('/history', 'History', route.view === 'history' || route.view === 'cycle')}
          {tab('/campaigns', 'Campaigns', route.view === 'campaigns' || route.view === 'campaign')}
        </nav>
      </header>
      <main id="main">
        {route.view === 'now' && <NowView />}
        {route.view === 'history' && <HistoryView />}
        {route.view === 'cycle' && <CycleView key={route.id} id={route.id} />}
        {route.view === 'campaigns' && <CampaignsView />}
        {route.view === 'campaign' && <CampaignView key={route.id} id={route.id} />}
        {route.view === 'missing' && (
          <p className="muted">
            No page at <code>{route.path}</code>. <Link href="/">Back to the active cycles</Link>.
          </p>
        )}
      </main>
      <TokenPrompt />
    </>
  );
}
