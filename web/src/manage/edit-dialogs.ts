import { notifications } from '@mantine/notifications';
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { DeleteTarget } from '../lib/ConfirmDelete';
import { useFormState } from '../lib/forms';

/**
 * The dialogs of a management list page whose rows are created and edited in a form dialog and
 * deleted after a confirmation. A save says so, closes the dialog and reloads the list (`listKey`);
 * an API refusal goes to the form's fields.
 */
export function useEditDialogs<Row, Values extends Record<string, unknown>, Saved>({
  valuesOf,
  save,
  savedMessage,
  listKey,
}: {
  /** The form's values for a row, or for a new one. */
  valuesOf: (row: Row | 'new') => Values;
  /** Creates a row (`row` is null) or changes one, from the form's values. */
  save: (values: Values, row: Row | null) => Promise<Saved>;
  savedMessage: (saved: Saved) => string;
  listKey: QueryKey;
}) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Row | 'new' | null>(null);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const form = useFormState(valuesOf('new'));
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });

  const open = (row: Row | 'new') => {
    form.reset(valuesOf(row));
    setEditing(row);
  };
  const saving = useMutation({
    mutationFn: () => save(form.values, editing === 'new' ? null : editing),
    onSuccess: (saved) => {
      notifications.show({ color: 'green', message: savedMessage(saved) });
      setEditing(null);
      return refresh();
    },
    onError: form.fail,
  });

  return {
    form,
    /** The row in the form dialog, 'new' for a new one, null while it is closed. */
    editing,
    open,
    refresh,
    askDelete: setDeleting,
    /** Everything the page's FormModal takes but its title and fields. */
    formModalProps: {
      opened: editing !== null,
      onClose: () => setEditing(null),
      onSubmit: () => saving.mutate(),
      pending: saving.isPending,
      formError: form.formError,
    },
    /** What the page's ConfirmDelete takes. */
    confirmDeleteProps: { target: deleting, onClose: () => setDeleting(null) },
  };
}
