import type { PageRoute } from '../lib/feature';
import { ForgotPasswordPage } from './ForgotPasswordPage';
import { ActivatePage, ResetPasswordPage } from './LinkPage';
import { PortalHomePage } from './PortalHomePage';
import { PortalLoginPage } from './PortalLoginPage';

/**
 * The portal's own pages (activation, sign-in, password reset, home) for portal users, not admins:
 * they are shown without the admin session and outside the console's frame. Emails link to
 * /activate and /reset-password; the server answers those with the console's page.
 */
export const portalRoutes: PageRoute[] = [
  { path: '/activate', component: ActivatePage },
  { path: '/reset-password', component: ResetPasswordPage },
  { path: '/portal/login', component: PortalLoginPage },
  { path: '/portal/forgot-password', component: ForgotPasswordPage },
  { path: '/portal', component: PortalHomePage },
];
