import React from 'react';
import { Alert } from '@grafana/ui';
import { testIds } from '../../components/testIds';

// NoAgents is what the page shows of a cluster without disk agents: how to configure them.
export function NoAgents({ cluster }: { cluster: string }) {
  return (
    <Alert severity="info" title="No disk agents on this cluster" data-testid={testIds.disk.noAgents}>
      <p>
        Disk tests run where the disk is: a diskprobe agent (<code>etcd-monitor diskprobe serve</code>) on each
        member&apos;s host, named under the cluster&apos;s <code>disk_agents</code> in opsproxy&apos;s configuration,
        then reloaded (<code>POST /-/reload</code> or SIGHUP):
      </p>
      <pre>
        {`clusters:
  - name: ${cluster}
    disk_agents:
      - member: infra0                # the etcd member's name
        url: https://10.0.0.1:9102    # the agent on its host
        username: probe               # optional, the agent's --web.config.file basic auth
        password_file: /etc/etcd-monitor/probe-password`}
      </pre>
      <p>See docs/diskprobe.md.</p>
    </Alert>
  );
}
