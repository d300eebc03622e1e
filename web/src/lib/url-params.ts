import { useDebouncedCallback } from '@mantine/hooks';
import { type ChangeEvent, useCallback, useState } from 'react';
import { useSearchParams } from 'wouter';

/** New values for some query parameters; an empty one removes its parameter. */
export type ParamChanges = Record<string, string | number | null | undefined>;
export type UpdateParams = (changes: ParamChanges) => void;

/**
 * A list page's filters, sort and page, kept in the address's query so that a reload or a shared
 * link shows the same list. Any change but the page's goes back to the first page. The address is
 * replaced, not pushed: the Back button leaves the list rather than stepping through filters.
 */
export function useQueryParams(): [URLSearchParams, UpdateParams] {
  const [params, setParams] = useSearchParams();
  const update = useCallback<UpdateParams>(
    (changes) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(changes)) {
            if (value === null || value === undefined || value === '') next.delete(key);
            else next.set(key, String(value));
          }
          if (!('page' in changes)) next.delete('page');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [params, update];
}

/** A query parameter that holds an id or a page number: a whole number above zero, else undefined. */
export const idParam = (value: string | null) => {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : undefined;
};

/** How long typing pauses before a search box's text goes to the address (and the server). */
const SEARCH_DELAY_MS = 300;

/**
 * A search box bound to one query parameter: the box follows every key at once, the address (and so
 * the query) follows when typing pauses. `inputProps` are the text box's value and change.
 */
export function useSearchBox(name: string, params: URLSearchParams, update: UpdateParams) {
  const [text, setText] = useState(params.get(name) ?? '');
  const push = useDebouncedCallback((value: string) => update({ [name]: value.trim() }), SEARCH_DELAY_MS);
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    setText(e.currentTarget.value);
    push(e.currentTarget.value);
  };
  return { text, setText, inputProps: { value: text, onChange } };
}
