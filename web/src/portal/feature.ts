import { lazyPage, type PageRoute } from '../lib/feature';

/**
 * The portal's own pages (activation, sign-in, password reset, home) for portal users, not admins:
 * they are shown without the admin session and outside the console's frame. Emails link to
 * /activate and /reset-password; the server answers those with the console's page.
 */
export const portalRoutes: PageRoute[] = [
  {
    path: '/activate',
    component: lazyPage(
      () => import('./LinkPage'),
      (m) => m.ActivatePage,
    ),
  },
  {
    path: '/reset-password',
    component: lazyPage(
      () => import('./LinkPage'),
      (m) => m.ResetPasswordPage,
    ),
  },
  {
    path: '/portal/login',
    component: lazyPage(
      () => import('./PortalLoginPage'),
      (m) => m.PortalLoginPage,
    ),
  },
  {
    path: '/portal/forgot-password',
    component: lazyPage(
      () => import('./ForgotPasswordPage'),
      (m) => m.ForgotPasswordPage,
    ),
  },
  {
    path: '/portal',
    component: lazyPage(
      () => import('./PortalHomePage'),
      (m) => m.PortalHomePage,
    ),
  },
];
