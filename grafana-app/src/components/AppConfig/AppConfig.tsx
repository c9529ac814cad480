import React, { ChangeEvent, FormEvent, useState } from 'react';
import { css } from '@emotion/css';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import {
  Alert,
  Button,
  Checkbox,
  Field,
  FieldSet,
  Input,
  SecretInput,
  SecretTextArea,
  Stack,
  useStyles2,
} from '@grafana/ui';
import { checkHealth, errorMessage, HealthResult, saveSettings } from '../../api/grafana';
import { testIds } from '../testIds';
import type { AppSettings, SecureSettingKey } from '../../types';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

type Secrets = Record<SecureSettingKey, string>;
type SecretsSet = Record<SecureSettingKey, boolean>;

const secretKeys: SecureSettingKey[] = ['serviceToken', 'tlsCACert', 'tlsClientCert', 'tlsClientKey'];

// The app's configuration page: where opsproxy is, the service token it gives the app (made
// with `etcd-monitor opsproxy token create --acts-for-users`), TLS, and a test of the saved
// settings through the backend's health check.
const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [settings, setSettings] = useState<AppSettings>({
    opsproxyUrl: jsonData?.opsproxyUrl ?? '',
    tlsSkipVerify: jsonData?.tlsSkipVerify ?? false,
    tlsServerName: jsonData?.tlsServerName ?? '',
  });
  const [secrets, setSecrets] = useState<Secrets>({
    serviceToken: '',
    tlsCACert: '',
    tlsClientCert: '',
    tlsClientKey: '',
  });
  const [secretsSet, setSecretsSet] = useState<SecretsSet>({
    serviceToken: Boolean(secureJsonFields?.serviceToken),
    tlsCACert: Boolean(secureJsonFields?.tlsCACert),
    tlsClientCert: Boolean(secureJsonFields?.tlsClientCert),
    tlsClientKey: Boolean(secureJsonFields?.tlsClientKey),
  });
  const [busy, setBusy] = useState<'saving' | 'testing' | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [health, setHealth] = useState<HealthResult | null>(null);

  const canSave = Boolean(settings.opsproxyUrl) && (secretsSet.serviceToken || Boolean(secrets.serviceToken));

  const onText = (e: ChangeEvent<HTMLInputElement>) =>
    setSettings({ ...settings, [e.target.name]: e.target.value.trim() });
  const onSecret = (key: SecureSettingKey) => (e: FormEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    const value = e.currentTarget.value;
    setSecrets({ ...secrets, [key]: key === 'serviceToken' ? value.trim() : value });
  };
  const onReset = (key: SecureSettingKey) => () => {
    setSecrets({ ...secrets, [key]: '' });
    setSecretsSet({ ...secretsSet, [key]: false });
  };

  const test = async () => {
    setBusy('testing');
    setHealth(null);
    setHealth(await checkHealth(plugin.meta.id));
    setBusy(null);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canSave) {
      return;
    }
    // Only secrets typed here are sent: one left as "configured" keeps its saved value, and
    // one reset and left empty is cleared.
    const secureJsonData: Partial<Secrets> = {};
    for (const key of secretKeys) {
      if (!secretsSet[key]) {
        secureJsonData[key] = secrets[key];
      }
    }
    setBusy('saving');
    setSaveError(null);
    setSaved(false);
    setHealth(null);
    try {
      await saveSettings(plugin.meta.id, { enabled, pinned, jsonData: settings, secureJsonData });
    } catch (err) {
      setSaveError(errorMessage(err));
      setBusy(null);
      return;
    }
    const nowSet = { ...secretsSet };
    for (const key of secretKeys) {
      nowSet[key] = secretsSet[key] || Boolean(secrets[key]);
    }
    setSecretsSet(nowSet);
    setSecrets({ serviceToken: '', tlsCACert: '', tlsClientCert: '', tlsClientKey: '' });
    setSaved(true);
    await test();
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.form}>
      <FieldSet label="opsproxy">
        <Field
          label="opsproxy URL"
          description="Where the app's backend reaches opsproxy, such as https://opsproxy.example:9980."
          required
        >
          <Input
            width={60}
            name="opsproxyUrl"
            id="config-opsproxy-url"
            data-testid={testIds.appConfig.opsproxyUrl}
            value={settings.opsproxyUrl}
            placeholder="https://opsproxy.example:9980"
            onChange={onText}
          />
        </Field>
        <Field
          label="Service token"
          description="A token made with `etcd-monitor opsproxy token create --acts-for-users`. Kept encrypted by Grafana; never sent back to the browser."
          required
          className={s.marginTop}
        >
          <SecretInput
            width={60}
            id="config-service-token"
            data-testid={testIds.appConfig.serviceToken}
            name="serviceToken"
            value={secrets.serviceToken}
            isConfigured={secretsSet.serviceToken}
            placeholder="emt_…"
            onChange={onSecret('serviceToken')}
            onReset={onReset('serviceToken')}
          />
        </Field>
      </FieldSet>

      <FieldSet label="TLS" className={s.marginTop}>
        <Field label="Skip certificate verification" description="Accept any certificate from opsproxy. For labs only.">
          <Checkbox
            id="config-tls-skip-verify"
            data-testid={testIds.appConfig.tlsSkipVerify}
            value={Boolean(settings.tlsSkipVerify)}
            onChange={(e) => setSettings({ ...settings, tlsSkipVerify: e.currentTarget.checked })}
          />
        </Field>
        <Field
          label="Server name"
          description="The name to check in opsproxy's certificate, when it is not the URL's host."
        >
          <Input
            width={60}
            name="tlsServerName"
            id="config-tls-server-name"
            data-testid={testIds.appConfig.tlsServerName}
            value={settings.tlsServerName}
            onChange={onText}
          />
        </Field>
        <Field
          label="CA certificate"
          description="PEM; the CA that signed opsproxy's certificate, when it is not a system one."
        >
          <SecretTextArea
            id="config-tls-ca-cert"
            data-testid={testIds.appConfig.tlsCACert}
            value={secrets.tlsCACert}
            isConfigured={secretsSet.tlsCACert}
            rows={4}
            cols={60}
            placeholder="-----BEGIN CERTIFICATE-----"
            onChange={onSecret('tlsCACert')}
            onReset={onReset('tlsCACert')}
          />
        </Field>
        <Field label="Client certificate" description="PEM; only when opsproxy asks clients for a certificate.">
          <SecretTextArea
            id="config-tls-client-cert"
            data-testid={testIds.appConfig.tlsClientCert}
            value={secrets.tlsClientCert}
            isConfigured={secretsSet.tlsClientCert}
            rows={4}
            cols={60}
            placeholder="-----BEGIN CERTIFICATE-----"
            onChange={onSecret('tlsClientCert')}
            onReset={onReset('tlsClientCert')}
          />
        </Field>
        <Field label="Client key" description="PEM; the key of the client certificate.">
          <SecretTextArea
            id="config-tls-client-key"
            data-testid={testIds.appConfig.tlsClientKey}
            value={secrets.tlsClientKey}
            isConfigured={secretsSet.tlsClientKey}
            rows={4}
            cols={60}
            placeholder="-----BEGIN PRIVATE KEY-----"
            onChange={onSecret('tlsClientKey')}
            onReset={onReset('tlsClientKey')}
          />
        </Field>
      </FieldSet>

      <Stack direction="row" gap={1}>
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={!canSave || busy !== null}>
          {busy === 'saving' ? 'Saving…' : 'Save & test'}
        </Button>
        <Button
          type="button"
          variant="secondary"
          data-testid={testIds.appConfig.testConnection}
          disabled={busy !== null}
          onClick={test}
        >
          {busy === 'testing' ? 'Testing…' : 'Test connection'}
        </Button>
      </Stack>

      <div className={s.marginTop} aria-live="polite">
        {saveError && (
          <Alert severity="error" title="Settings not saved" data-testid={testIds.appConfig.saveError}>
            {saveError}
          </Alert>
        )}
        {saved && !saveError && !health && busy === null && <Alert severity="success" title="Settings saved" />}
        {health?.ok && (
          <Alert severity="success" title="Connected to opsproxy" data-testid={testIds.appConfig.healthOk}>
            {health.message}
          </Alert>
        )}
        {health && !health.ok && (
          <Alert severity="error" title="opsproxy cannot be used" data-testid={testIds.appConfig.healthError}>
            {health.message}
          </Alert>
        )}
      </div>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css`
    margin-top: ${theme.spacing(3)};
  `,
});
