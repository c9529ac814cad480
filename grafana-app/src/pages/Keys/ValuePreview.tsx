import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2 } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { FORMAT_NAMES, showValue } from './valueFormat';

// ValuePreview shows a value's bytes in their format: JSON pretty-printed, YAML and text with
// their indentation kept, other bytes as a hex dump.
export function ValuePreview({ bytes, testId }: { bytes: Uint8Array; testId?: string }) {
  const styles = useStyles2(getStyles);
  const shown = showValue(bytes);
  return (
    <div>
      <span data-testid={testId ? testIds.keys.format : undefined}>
        <Badge color={shown.format === 'binary' ? 'orange' : 'blue'} text={FORMAT_NAMES[shown.format]} />
      </span>
      <pre className={styles.value} data-testid={testId} tabIndex={0} aria-label="Stored value">
        {shown.text}
      </pre>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  value: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    whiteSpace: 'pre',
    overflow: 'auto',
    maxHeight: 480,
    marginTop: theme.spacing(1),
  }),
});
