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
