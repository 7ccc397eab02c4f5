/**
 * The rich-text body (tiptap, StarterKit: paragraphs, bold, italic, strike, lists, quotes, links,
 * undo) with a small toolbar. ProseMirror's schema keeps only the nodes it knows, so a draft's or a
 * quoted message's HTML loses scripts and handlers on the way in.
 */
import { BoldOutlined, ItalicOutlined, OrderedListOutlined, RedoOutlined, StrikethroughOutlined, UndoOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { EditorContent, useEditor, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { Button, Space, Tooltip } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import './rich-editor.css';

export interface RichEditorProps {
  initial: string;
  /** `first` for the starting content as the editor normalised it (not a change by the user). */
  onChange(html: string, text: string, first?: boolean): void;
  onReady?(editor: Editor): void;
}

export function RichEditor({ initial, onChange, onReady }: RichEditorProps) {
  const { t } = useTranslation();
  const editor = useEditor({
    extensions: [StarterKit.configure({ link: { openOnClick: false, HTMLAttributes: { rel: 'noopener noreferrer', target: '_blank' } } })],
    content: initial,
    editorProps: { attributes: { 'aria-label': t('compose.editor'), role: 'textbox', 'aria-multiline': 'true', class: 'yj-editor-body' } },
    onUpdate: ({ editor: e }) => onChange(e.getHTML(), e.getText({ blockSeparator: '\n' })),
  });
  useEffect(() => {
    // useEditor may destroy the instance it rendered with and make a new one (a dialog that mounts
    // its content twice): the new one comes with the next render, and a destroyed one has no schema.
    if (!editor || editor.isDestroyed) return;
    onChange(editor.getHTML(), editor.getText({ blockSeparator: '\n' }), true);
    onReady?.(editor);
    // Report the starting content once; later changes come through onUpdate.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editor]);
  if (!editor) return null;
  const tool = (key: string, icon: React.ReactNode, run: () => void, active = false) => (
    <Tooltip key={key} title={t(`compose.${key}`)}>
      <Button size="small" type={active ? 'primary' : 'text'} icon={icon} aria-label={t(`compose.${key}`)} aria-pressed={active}
        onMouseDown={(e) => e.preventDefault()} onClick={run} />
    </Tooltip>
  );
  const chain = () => editor.chain().focus();
  return (
    <div className="yj-editor">
      <Space size={2} role="toolbar" aria-label={t('compose.editor')} className="yj-editor-tools">
        {tool('bold', <BoldOutlined />, () => chain().toggleBold().run(), editor.isActive('bold'))}
        {tool('italic', <ItalicOutlined />, () => chain().toggleItalic().run(), editor.isActive('italic'))}
        {tool('strike', <StrikethroughOutlined />, () => chain().toggleStrike().run(), editor.isActive('strike'))}
        {tool('bulletList', <UnorderedListOutlined />, () => chain().toggleBulletList().run(), editor.isActive('bulletList'))}
        {tool('orderedList', <OrderedListOutlined />, () => chain().toggleOrderedList().run(), editor.isActive('orderedList'))}
        {tool('undo', <UndoOutlined />, () => chain().undo().run())}
        {tool('redo', <RedoOutlined />, () => chain().redo().run())}
      </Space>
      <EditorContent editor={editor} />
    </div>
  );
}
