// @ts-check
// The call's chat: the messages with their times (replayed history first) and the form to
// send one. Sending waits until the page is in the room: the server drops messages from
// outside it. New messages scroll the list, never the page; a reader who scrolled up to read
// older ones is not pulled down.
import { h, onSubmit } from '../lib/dom.js';
import { CHAT_TEXT_MAX_LENGTH } from '../lib/protocol.js';

/** How many messages the panel keeps on the page. */
const MESSAGES_SHOWN = 1000;

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export class ChatPanel {
  #messages = h('ol', { class: 'messages', 'aria-label': 'Chat messages', 'aria-live': 'polite' });
  #send = h('button', { type: 'submit', disabled: true }, 'Send');
  #input;

  /**
   * @param {(text: string) => void} onSend
   * @param {() => void} onClose the panel's close button
   */
  constructor(onSend, onClose) {
    this.#input = h('input', {
      name: 'text',
      'aria-label': 'Message',
      placeholder: 'Send a message to everyone',
      maxlength: String(CHAT_TEXT_MAX_LENGTH),
      autocomplete: 'off',
      enterkeyhint: 'send',
    });
    const input = this.#input;
    const form = h(
      'form',
      {
        'aria-label': 'Send a chat message',
        onsubmit: onSubmit(() => {
          const text = input.value.trim();
          if (text) onSend(text);
          input.value = '';
        }),
      },
      input,
      this.#send,
    );
    this.element = h(
      'aside',
      { id: 'chat', class: 'chat panel', 'aria-labelledby': 'chat-title', hidden: true },
      h(
        'div',
        { class: 'panel-header' },
        h('h2', { id: 'chat-title' }, 'Chat'),
        h(
          'button',
          { type: 'button', class: 'close', 'aria-label': 'Close chat', onclick: onClose },
          '×',
        ),
      ),
      this.#messages,
      form,
    );
  }

  /**
   * Typing stays possible meanwhile; a disabled Send also stops Enter from submitting.
   * @param {boolean} enabled
   */
  enableSending(enabled) {
    this.#send.disabled = !enabled;
  }

  /**
   * @param {string} sender
   * @param {string} text
   * @param {Date} sentAt
   */
  append(sender, text, sentAt) {
    const list = this.#messages;
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(
      h(
        'li',
        {},
        h(
          'p',
          { class: 'meta' },
          h('strong', {}, sender),
          ' ',
          h('time', { datetime: sentAt.toISOString() }, TIME.format(sentAt)),
        ),
        h('p', { class: 'text' }, text),
      ),
    );
    // A long call's chat stays light: the oldest messages go beyond MESSAGES_SHOWN.
    while (list.children.length > MESSAGES_SHOWN) list.firstElementChild?.remove();
    if (atEnd) this.scrollToEnd();
  }

  scrollToEnd() {
    this.#messages.scrollTop = this.#messages.scrollHeight;
  }

  focusInput() {
    this.#input.focus();
  }
}
