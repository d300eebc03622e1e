import { Center, Loader } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { me } from './api';
import { Layout } from './Layout';
import { LoginPage } from './LoginPage';
import { navigate, usePath } from './router';
import { UsersPage } from './UsersPage';

export function App() {
  const path = usePath();
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: ['me'], queryFn: me, staleTime: Number.POSITIVE_INFINITY });
  const signedIn = session.data ?? null;

  useEffect(() => {
    if (session.isPending) return;
    if (!signedIn && path !== '/login') navigate('/login', true);
    if (signedIn && (path === '/login' || path === '/')) navigate('/users', true);
  }, [session.isPending, signedIn, path]);

  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  if (!signedIn) {
    return <LoginPage onSignedIn={() => queryClient.refetchQueries({ queryKey: ['me'] })} />;
  }
  return (
    <Layout me={signedIn}>
      <UsersPage />
    </Layout>
  );
}
