// A small rich-text editor for lesson text, with no outside assets. The textarea marked
// data-rich-editor stays the field that is posted: the editor writes its HTML back into it
// on every change and before the form is sent. Without scripts the textarea is used as it
// is. The server sanitises whatever arrives (courses/sanitize.py), so this is a
// convenience, not a safeguard.
document.addEventListener("DOMContentLoaded", () => {
  const images = JSON.parse(document.getElementById("lesson-images")?.textContent || "[]");
  document.querySelectorAll("textarea[data-rich-editor]").forEach((textarea) => setUp(textarea));

  function setUp(textarea) {
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    const wrap = document.createElement("div");
    wrap.className = "rich-editor";
    const toolbar = document.createElement("div");
    toolbar.className = "rich-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting");
    toolbar.setAttribute("aria-controls", `${textarea.id}_editor`);
    const area = document.createElement("div");
    area.id = `${textarea.id}_editor`;
    area.className = "rich-area lesson-body";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) {
      label.id = label.id || `${textarea.id}_label`;
      area.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", () => area.focus());
    }
    const described = textarea.getAttribute("aria-describedby");
    if (described) area.setAttribute("aria-describedby", described);
    if (textarea.getAttribute("aria-invalid")) area.setAttribute("aria-invalid", "true");
    area.innerHTML = textarea.value;
    // The editor's HTML, with the browser's <b>/<i> written as <strong>/<em>. Only while
    // the editor is shown: in the "Edit HTML" view the textarea itself is what is sent.
    const sync = () => {
      if (area.hidden) return;
      const copy = area.cloneNode(true);
      copy.querySelectorAll("b, i").forEach((old) => {
        const replacement = document.createElement(old.tagName === "B" ? "strong" : "em");
        replacement.append(...old.childNodes);
        old.replaceWith(replacement);
      });
      textarea.value = copy.innerHTML;
    };
    area.addEventListener("input", sync);
    textarea.form?.addEventListener("submit", sync);

    const command = (name, value = null) => {
      area.focus();
      document.execCommand(name, false, value);
      sync();
    };
    const buttons = [
      ["Heading", () => command("formatBlock", "h2")],
      ["Subheading", () => command("formatBlock", "h3")],
      ["Paragraph", () => command("formatBlock", "p")],
      ["Bold", () => command("bold")],
      ["Italic", () => command("italic")],
      ["Bulleted list", () => command("insertUnorderedList")],
      ["Numbered list", () => command("insertOrderedList")],
      ["Link", () => {
        const url = window.prompt("Link address (https://… or mailto:…)", "https://");
        if (url && /^(https:\/\/|mailto:)/i.test(url)) command("createLink", url);
      }],
      ["Remove link", () => command("unlink")],
    ];
    buttons.forEach(([text, action]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button small secondary";
      button.textContent = text;
      button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
      button.addEventListener("click", action);
      toolbar.appendChild(button);
    });
    if (images.length) {
      const picker = document.createElement("select");
      picker.setAttribute("aria-label", "Insert an image");
      picker.append(new Option("Insert an image…", ""));
      images.forEach((image, index) => picker.append(new Option(image.alt, String(index))));
      picker.addEventListener("change", () => {
        const image = images[Number(picker.value)];
        picker.value = "";
        if (!image) return;
        const img = document.createElement("img");
        img.src = image.src;
        img.alt = image.alt;
        command("insertHTML", img.outerHTML);
      });
      toolbar.appendChild(picker);
    }
    // A way back to the raw HTML, for tables and the like.
    const source = document.createElement("button");
    source.type = "button";
    source.className = "button small secondary";
    source.textContent = "Edit HTML";
    source.setAttribute("aria-pressed", "false");
    source.addEventListener("click", () => {
      const toHtml = textarea.hidden; // the editor is shown: switch to the HTML view
      if (toHtml) {
        sync();
        textarea.hidden = false;
        area.hidden = true;
        source.setAttribute("aria-pressed", "true");
        textarea.focus();
      } else {
        area.innerHTML = textarea.value;
        textarea.hidden = true;
        area.hidden = false;
        source.setAttribute("aria-pressed", "false");
        area.focus();
      }
      toolbar.querySelectorAll("button, select").forEach((el) => {
        if (el !== source) el.disabled = toHtml;
      });
    });
    toolbar.appendChild(source);

    textarea.hidden = true;
    textarea.parentNode.insertBefore(wrap, textarea);
    wrap.append(toolbar, area);
    wrap.appendChild(textarea);
  }
});
