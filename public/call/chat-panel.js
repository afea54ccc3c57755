// @ts-check
// The call's chat: the messages (replayed history first) and the form to send one. Sending
// waits until the page is in the room: the server drops messages from outside it.
import { h, onSubmit } from '../lib/dom.js';
import { CHAT_TEXT_MAX_LENGTH } from '../lib/protocol.js';

export class ChatPanel {
  #messages = h('ol', { 'aria-label': 'Chat messages', 'aria-live': 'polite' });
  #send = h('button', { type: 'submit', disabled: true }, 'Send');

  /** @param {(text: string) => void} onSend */
  constructor(onSend) {
    const input = h('input', {
      name: 'text',
      'aria-label': 'Message',
      maxlength: String(CHAT_TEXT_MAX_LENGTH),
      autocomplete: 'off',
    });
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
      { class: 'chat', 'aria-label': 'Chat' },
      h('h2', {}, 'Chat'),
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
   */
  append(sender, text) {
    const message = h('li', {}, h('strong', {}, sender), ': ', text);
    this.#messages.append(message);
    message.scrollIntoView({ block: 'end' });
  }
}
