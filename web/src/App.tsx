import { Center, Loader } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { me } from './auth/api';
import { LoginPage } from './auth/LoginPage';
import { SessionProvider } from './auth/session';
import { consoleRoutes } from './features';
import { portalRoutes } from './portal/feature';
import { Layout } from './shell/Layout';
import { NotAllowedPage, NotFoundPage } from './shell/Pages';

/** While a page's code loads (pages load on their first visit). */
function PageLoader() {
  return (
    <Center py="xl">
      <Loader aria-label="Loading the page" />
    </Center>
  );
}

function FullPageLoader() {
  return (
    <Center h="100vh">
      <Loader />
    </Center>
  );
}

/** The admin console: sign-in first, then the pages the admin's role allows. */
function Console() {
  const [path, navigate] = useLocation();
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: ['me'], queryFn: me, staleTime: Number.POSITIVE_INFINITY });
  const signedIn = session.data ?? null;

  useEffect(() => {
    if (session.isPending) return;
    if (!signedIn && path !== '/login') {
      const back = path === '/' ? '' : `?next=${encodeURIComponent(path + window.location.search)}`;
      navigate(`/login${back}`, { replace: true });
    }
    if (signedIn && (path === '/login' || path === '/')) {
      const next = new URLSearchParams(window.location.search).get('next');
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/users', { replace: true });
    }
  }, [session.isPending, signedIn, path, navigate]);

  if (session.isPending) return <FullPageLoader />;
  if (!signedIn) {
    return <LoginPage onSignedIn={() => queryClient.refetchQueries({ queryKey: ['me'] })} />;
  }
  return (
    <SessionProvider me={signedIn}>
      <Layout>
        <Suspense fallback={<PageLoader />}>
          <Switch>
            {consoleRoutes.map(({ path: pattern, component: Page, permission }) => (
              <Route key={pattern} path={pattern}>
                {!permission || signedIn.permissions.includes(permission) ? <Page /> : <NotAllowedPage />}
              </Route>
            ))}
            <Route>{path === '/' || path === '/login' ? <FullPageLoader /> : <NotFoundPage />}</Route>
          </Switch>
        </Suspense>
      </Layout>
    </SessionProvider>
  );
}

export function App() {
  return (
    <Switch>
      {portalRoutes.map(({ path, component: Page }) => (
        <Route key={path} path={path}>
          <Suspense fallback={<FullPageLoader />}>
            <Page />
          </Suspense>
        </Route>
      ))}
      <Route>
        <Console />
      </Route>
    </Switch>
  );
}
