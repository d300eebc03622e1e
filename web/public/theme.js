// Apply the saved light/dark choice before the first paint, so the page does not flash. A file,
// not an inline script: the Content-Security-Policy allows only Roster's own script files.
try {
  const saved = localStorage.getItem('mantine-color-scheme-value');
  const dark =
    saved === 'dark' || ((!saved || saved === 'auto') && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.mantineColorScheme = dark ? 'dark' : 'light';
} catch {
  // Storage is blocked: Mantine applies the default when it starts.
}
