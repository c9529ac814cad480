export const testIds = {
  appConfig: {
    form: 'data-testid ac-form',
    opsproxyUrl: 'data-testid ac-opsproxy-url',
    serviceToken: 'data-testid ac-service-token',
    tlsSkipVerify: 'data-testid ac-tls-skip-verify',
    tlsServerName: 'data-testid ac-tls-server-name',
    tlsCACert: 'data-testid ac-tls-ca-cert',
    tlsClientCert: 'data-testid ac-tls-client-cert',
    tlsClientKey: 'data-testid ac-tls-client-key',
    submit: 'data-testid ac-submit-form',
    testConnection: 'data-testid ac-test-connection',
    healthOk: 'data-testid ac-health-ok',
    healthError: 'data-testid ac-health-error',
    saveError: 'data-testid ac-save-error',
  },
  app: {
    container: 'data-testid app-container',
  },
};
