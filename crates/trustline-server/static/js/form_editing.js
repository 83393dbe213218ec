// A console form that creates a new thing or, after a row's Edit, changes
// that one: while editing, the heading and the button say so, and Cancel
// goes back to a blank "new" form.

export class FormEditing {
  constructor(form) {
    this.form = form;
    this.heading = form.querySelector('h3');
    this.submit = form.querySelector('button[type=submit]');
    this.labels = [this.heading.textContent, this.submit.textContent];
    this.cancel = document.createElement('button');
    this.cancel.type = 'button';
    this.cancel.className = 'secondary';
    this.cancel.textContent = 'Cancel';
    this.cancel.hidden = true;
    this.cancel.addEventListener('click', () => this.done());
    this.submit.after(' ', this.cancel);
    this.item = null;
  }

  // Fills the form from `item` (its `name` goes in the heading) with `fill`.
  edit(item, fill) {
    this.form.reset();
    this.item = item;
    fill(this.form.elements, item);
    this.heading.textContent = `Change ${item.name}`;
    this.submit.textContent = 'Save the changes';
    this.cancel.hidden = false;
    this.form.scrollIntoView({ block: 'start' });
    this.form.querySelector('input, select, textarea')?.focus();
  }

  // Back to a blank form for a new one.
  done() {
    this.item = null;
    this.form.reset();
    [this.heading.textContent, this.submit.textContent] = this.labels;
    this.cancel.hidden = true;
  }
}
