import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

// getSelectStyle is the class of the pages' native <select> elements, drawn like Grafana's
// inputs and as wide as their field.
export const getSelectStyle = (theme: GrafanaTheme2) =>
  css({
    height: theme.spacing(4),
    width: '100%',
    background: theme.components.input.background,
    color: theme.components.input.text,
    border: `1px solid ${theme.components.input.borderColor}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 1),
  });
