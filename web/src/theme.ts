import {
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  darken,
  luminance,
  Modal,
  Notification,
  TableScrollContainer,
} from '@mantine/core';

/**
 * The console's Mantine theme, with colours that meet WCAG AA contrast (4.5:1 for text) in light and
 * dark mode: Mantine's defaults put dimmed text, links, filled buttons and light badges under it.
 */
export const theme = createTheme({
  primaryColor: 'indigo',
  // People who ask their system for less motion get dialogs, menus and notices without transitions.
  respectReducedMotion: true,
  components: {
    // A table wider than a phone scrolls sideways: its scroll area takes focus, so that the keyboard
    // can scroll it too.
    TableScrollContainer: TableScrollContainer.extend({
      defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } },
    }),
    // A dialog's × button is an icon alone: without a label a screen reader announces just "button".
    Modal: Modal.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close' } },
    }),
    // The same for a notice's × (e.g. "Saved as …" after saving an import configuration).
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close this notice' } },
    }),
  },
});

const AA = 4.6; // 4.5:1 with a margin for rounding in the browser's colour maths

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** `color`, darkened just enough for text in it to read on every one of `backgrounds`. */
function readableOn(color: string, backgrounds: string[]): string {
  for (let amount = 0; amount < 1; amount += 0.04) {
    const candidate = amount === 0 ? color : darken(color, amount);
    if (backgrounds.every((background) => contrast(candidate, background) >= AA)) return candidate;
  }
  return DEFAULT_THEME.black;
}

const { white } = DEFAULT_THEME;
const gray = DEFAULT_THEME.colors.gray;
const dark = DEFAULT_THEME.colors.dark;

/** Light mode: each colour's text, outline, light-variant and filled shades made readable. */
function lightColorVariables(): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, shades] of Object.entries(DEFAULT_THEME.colors)) {
    if (name === 'dark') continue;
    const text = readableOn(shades[6], [white, gray[0], gray[1], shades[0]]);
    const filled = readableOn(shades[6], [white]);
    Object.assign(variables, {
      [`--mantine-color-${name}-text`]: text,
      [`--mantine-color-${name}-outline`]: text,
      [`--mantine-color-${name}-light-color`]: readableOn(shades[9], [shades[1], shades[2]]),
      [`--mantine-color-${name}-filled`]: filled,
      [`--mantine-color-${name}-filled-hover`]: darken(filled, 0.1),
    });
  }
  return variables;
}

// Worked out once: Mantine calls the resolver on every render of its provider.
const LIGHT_COLORS = lightColorVariables();

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    ...LIGHT_COLORS,
    '--mantine-color-dimmed': gray[7],
    '--mantine-color-error': readableOn(DEFAULT_THEME.colors.red[6], [white, gray[0]]),
    '--mantine-color-anchor': readableOn(DEFAULT_THEME.colors.indigo[6], [white, gray[0], gray[1]]),
    '--mantine-primary-color-contrast': white,
  },
  dark: {
    // dark[2] reads at about 4:1 on the body and less on raised surfaces.
    '--mantine-color-dimmed': dark[1],
  },
});
