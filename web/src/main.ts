// The web application's entry: styles, GOV.UK Frontend's behaviour, and the page for this URL.
import './styles.scss';
import { matchPage } from './routes';
import { apiProblem } from './layout';
import { adminPage } from './pages/admin';
import { actionsPage } from './pages/actions';
import { alertsPage } from './pages/alerts';
import { caseloadPage } from './pages/caseload';
import { disruptionsPage } from './pages/disruptions';
import { maseListPage, masePage } from './pages/mase';
import { childPage } from './pages/child';
import { networkPage, networksPage } from './pages/networks';
import { notFoundPage } from './pages/notfound';
import { personPage } from './pages/person';
import { placePage, placesPage } from './pages/places';
import { radarPage } from './pages/radar';
import { reportsPage } from './pages/reports';
import { reviewItemPage, reviewListPage } from './pages/review';
import { signInPage } from './pages/signin';

document.body.classList.add('govuk-frontend-supported', 'js-enabled');

async function start(): Promise<void> {
  const match = matchPage(window.location.pathname);
  try {
    switch (match.page) {
      case 'sign-in':
        return await signInPage();
      case 'radar':
        return await radarPage();
      case 'child':
        return await childPage(match.id ?? '');
      case 'review-list':
        return await reviewListPage();
      case 'review-item':
        return await reviewItemPage(match.id ?? '');
      case 'places':
        return await placesPage();
      case 'place':
        return await placePage(match.id ?? '');
      case 'networks':
        return await networksPage();
      case 'network':
        return await networkPage(match.id ?? '');
      case 'admin':
        return await adminPage();
      case 'caseload':
        return await caseloadPage();
      case 'alerts':
        return await alertsPage();
      case 'mase-list':
        return await maseListPage();
      case 'mase':
        return await masePage(match.id ?? '');
      case 'actions':
        return await actionsPage();
      case 'disruptions':
        return await disruptionsPage();
      case 'person':
        return await personPage(match.id ?? '');
      case 'reports':
        return await reportsPage();
      default:
        return await notFoundPage();
    }
  } catch (e) {
    apiProblem(e);
  }
}

void start();
