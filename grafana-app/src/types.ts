// AppSettings is the app's jsonData; the service token and TLS keys are in secureJsonData,
// which Grafana never sends back to the browser (only whether each is set).
export type AppSettings = {
  opsproxyUrl?: string;
  tlsSkipVerify?: boolean;
  tlsServerName?: string;
};

export type SecureSettingKey = 'serviceToken' | 'tlsCACert' | 'tlsClientCert' | 'tlsClientKey';
