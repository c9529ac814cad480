// Test ids of the standalone console's own parts (the pages keep theirs in components/testIds).
export const consoleTestIds = {
  signIn: {
    form: 'data-testid console-sign-in',
    token: 'data-testid console-token',
    submit: 'data-testid console-sign-in-submit',
  },
  checking: 'data-testid console-checking',
  failure: {
    panel: 'data-testid console-failure',
    retry: 'data-testid console-retry',
    signInAgain: 'data-testid console-sign-in-again',
  },
  nav: {
    bar: 'data-testid console-nav',
    link: (route: string) => `data-testid console-nav ${route}`,
    user: 'data-testid console-user',
    signOut: 'data-testid console-sign-out',
  },
  forbidden: 'data-testid console-forbidden',
};
