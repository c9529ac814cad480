import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Field, useStyles2 } from '@grafana/ui';
import type { Cluster } from '../api';
import { getSelectStyle } from './selectStyle';
import { ClusterOptions } from './ClusterOptions';

type Props = {
  id: string;
  clusters: Cluster[];
  selected: string;
  onChange: (cluster: string) => void;
  testId: string;
};

// ClusterPicker chooses the cluster a page shows, from ClusterOptions.
export function ClusterPicker({ id, clusters, selected, onChange, testId }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <Field label="Cluster" className={styles.picker}>
      <select
        id={id}
        className={styles.select}
        value={selected}
        onChange={(e) => onChange(e.currentTarget.value)}
        data-testid={testId}
      >
        <ClusterOptions clusters={clusters} selected={selected} />
      </select>
    </Field>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  picker: css({ maxWidth: 320 }),
  select: getSelectStyle(theme),
});
