import { Loader, Paper } from '@mantine/core';
import type { ReactNode } from 'react';
import { useDropzone } from 'react-dropzone';

/**
 * A drop area that also opens the file chooser on click, Enter or Space. Built on react-dropzone
 * directly: Mantine's wrapper of it declares Node 22, and Roster runs on Node 20.
 */
export function FileDrop(props: {
  onFile: (file: File) => void;
  loading: boolean;
  label: string;
  children: ReactNode;
  testId?: string;
}) {
  const { getRootProps, getInputProps, isDragActive } = useDropzone({
    multiple: false,
    disabled: props.loading,
    onDrop: (files) => {
      const file = files[0];
      if (file) props.onFile(file);
    },
  });
  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      {...getRootProps({ 'aria-label': props.label, 'aria-busy': props.loading })}
      data-testid={props.testId}
      style={{
        borderStyle: 'dashed',
        borderWidth: 2,
        cursor: props.loading ? 'wait' : 'pointer',
        borderColor: isDragActive ? 'var(--mantine-primary-color-filled)' : undefined,
        backgroundColor: isDragActive ? 'var(--mantine-primary-color-light)' : undefined,
        position: 'relative',
      }}
    >
      {/* Hidden, but axe still asks a form field for a name: the drop area's own. */}
      <input {...getInputProps({ 'aria-label': props.label })} />
      {props.loading ? <Loader size="sm" style={{ position: 'absolute', top: 12, right: 12 }} /> : null}
      {props.children}
    </Paper>
  );
}
