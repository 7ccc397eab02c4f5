/**
 * The webmail's entry (FEATURES W1, W3–W5): the React 19 patch for antd 5 first (it must run before
 * antd renders anything), then i18n, TanStack Query and the app. See App.tsx for the screens.
 */
import '@ant-design/v5-patch-for-react-19';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ApiError } from './api.ts';
import { applyLabelOverrides, initI18n } from './i18n.ts';
import './base.css';

initI18n();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A missing session or object will not appear by asking again.
      retry: (n, err) => n < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
});

// The renamed labels are in place before the first paint.
void applyLabelOverrides().finally(() => createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
));
