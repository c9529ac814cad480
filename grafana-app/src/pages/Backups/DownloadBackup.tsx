import React, { useState } from 'react';
import { Alert, Button, LinkButton } from '@grafana/ui';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';

type Props = { cluster: string; location: string; name: string };

// DownloadBackup downloads a backup's etcd snapshot (decrypted; opsproxy audits it): a link where
// the transport allows links (Grafana), otherwise read over the console's fetch with its token and
// saved from the browser's memory.
export function DownloadBackup({ cluster, location, name }: Props) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure>();
  const href = api.backupDownloadHref(cluster, location, name);
  // The download is the etcd snapshot itself, decrypted: the object's name without .age, as
  // opsproxy's Content-Disposition names it.
  const file = name.replace(/\.age$/, '');
  if (href) {
    return (
      <LinkButton variant="secondary" href={href} download={file} data-testid={testIds.backups.download}>
        Download
      </LinkButton>
    );
  }
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const blob = await api.downloadBackup(cluster, location, name);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = file;
      document.body.appendChild(a);
      a.click();
      a.remove();
      // The browser has taken the file once the click is handled.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (e) {
      setError(failure(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button variant="secondary" onClick={save} disabled={busy} data-testid={testIds.backups.download}>
        {busy ? 'Downloading…' : 'Download'}
      </Button>
      {error && (
        <Alert title="The download failed" severity="error" data-testid={testIds.backups.downloadError}>
          <FailureText f={error} />
        </Alert>
      )}
    </>
  );
}
