/** Messages dragged from the list onto a folder of the tree (issue #12: drag and drop). */
export const DRAG_TYPE = 'application/x-youju-mail';

export interface DraggedMail {
  folderId: number;
  uids: number[];
}

/** What a drop carries, or undefined when it is not mail from the list. */
export function draggedMail(data: DataTransfer): DraggedMail | undefined {
  try {
    const v = JSON.parse(data.getData(DRAG_TYPE)) as DraggedMail;
    return Number.isInteger(v.folderId) && Array.isArray(v.uids) && v.uids.every(Number.isInteger) ? v : undefined;
  } catch {
    return undefined;
  }
}
