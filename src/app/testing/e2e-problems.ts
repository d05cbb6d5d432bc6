/**
 * For the app's Playwright tests (e2e/app-*.spec.ts): collects console errors, page errors and CSP
 * violations from the page and its workers, so a test can assert there were none.
 */
import type { Page } from '@playwright/test';

export function watchProblems(page: Page, ignore: readonly RegExp[] = []): string[] {
  const problems: string[] = [];
  const add = (text: string) => {
    if (!ignore.some((pattern) => pattern.test(text))) problems.push(text);
  };
  page.on('console', (message) => message.type() === 'error' && add(`console: ${message.text()}`));
  page.on('pageerror', (error) => add(`page error: ${error.message}`));
  page.on('worker', (worker) => worker.on('console', (message) => message.type() === 'error' && add(`worker console: ${message.text()}`)));
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`),
    );
  });
  return problems;
}
