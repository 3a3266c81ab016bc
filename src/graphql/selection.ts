import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the query selects the field at `path` below the field being resolved (by field name,
 * any alias, through fragments), e.g. `['edges', 'node', 'tags']` on a connection: so a resolver
 * can read a nested list in its own statement only when it will be shown.
 */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((field) => field.selectionSet !== undefined && within(info, field.selectionSet, path));
}

function within(info: GraphQLResolveInfo, selectionSet: SelectionSetNode, path: readonly string[]): boolean {
  const [name, ...rest] = path;
  return selectionSet.selections.some((selection) => {
    switch (selection.kind) {
      case Kind.FIELD:
        if (selection.name.value !== name) return false;
        return (
          rest.length === 0 || (selection.selectionSet !== undefined && within(info, selection.selectionSet, rest))
        );
      case Kind.INLINE_FRAGMENT:
        return within(info, selection.selectionSet, path);
      case Kind.FRAGMENT_SPREAD: {
        const fragment = info.fragments[selection.name.value];
        return fragment !== undefined && within(info, fragment.selectionSet, path);
      }
    }
  });
}

/**
 * The names of the fields the query selects at `path` below the field being resolved (through
 * fragments, any alias), e.g. `['edges', 'node']` on a connection: so a page reads only the columns
 * it will show.
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const field of info.fieldNodes) if (field.selectionSet) collect(info, field.selectionSet, path, names);
  return names;
}

function collect(
  info: GraphQLResolveInfo,
  selectionSet: SelectionSetNode,
  path: readonly string[],
  names: Set<string>,
) {
  const [name, ...rest] = path;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) collect(info, selection.selectionSet, path, names);
    else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = info.fragments[selection.name.value];
      if (fragment) collect(info, fragment.selectionSet, path, names);
    } else if (name === undefined) names.add(selection.name.value);
    else if (selection.name.value === name && selection.selectionSet)
      collect(info, selection.selectionSet, rest, names);
  }
}
