// Reorder modules and lessons by dragging (progressive: the Up/Down buttons work without
// scripts). Each item of a [data-reorder-list] gets a visible handle; dropping an item
// posts the list's whole new order to its move URL (ids=…), and the polite status line
// says whether it was saved. On an error the page reloads to show the saved order.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector("[data-reorder-status]");
  const token = document.querySelector('input[name="csrfmiddlewaretoken"]')?.value;
  const say = (text) => { if (status) status.textContent = text; };

  document.querySelectorAll("[data-reorder-list]").forEach((list) => {
    const items = () => Array.from(list.children).filter((el) => el.matches(".outline-item"));
    let dragged = null;
    items().forEach((item) => {
      const handle = item.querySelector(":scope > .outline-row > .drag-handle");
      if (handle) handle.hidden = false;
      item.draggable = true;
      item.addEventListener("dragstart", (event) => {
        if (event.target.closest?.(".outline-item") !== item) return;
        event.stopPropagation();
        dragged = item;
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.dataset.id);
      });
      item.addEventListener("dragover", (event) => {
        if (!dragged || dragged === item || dragged.parentElement !== list) return;
        event.preventDefault();
        event.stopPropagation();
        const box = item.getBoundingClientRect();
        const after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
      });
      item.addEventListener("dragend", async (event) => {
        if (dragged !== item) return;
        event.stopPropagation();
        item.classList.remove("dragging");
        dragged = null;
        const body = new URLSearchParams();
        items().forEach((el) => body.append("ids", el.dataset.id));
        try {
          const response = await fetch(item.dataset.moveUrl, {
            method: "POST",
            headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" },
            body,
            credentials: "same-origin",
          });
          if (!response.ok) throw new Error(await response.text());
          say(list.dataset.savedText || "Order saved.");
          renumber(list);
        } catch (error) {
          say(String(error.message || "The order could not be saved."));
          window.setTimeout(() => window.location.reload(), 1500);
        }
      });
    });
  });

  // The Up/Down buttons' disabled state follows the new order.
  function renumber(list) {
    const rows = Array.from(list.children).filter((el) => el.matches(".outline-item"));
    rows.forEach((row, index) => {
      const buttons = row.querySelectorAll(":scope > .outline-row .move-buttons button");
      if (buttons.length === 2) {
        buttons[0].disabled = index === 0;
        buttons[1].disabled = index === rows.length - 1;
      }
      const number = row.querySelector(":scope > .outline-row > strong > .outline-number");
      if (number) number.textContent = `${index + 1}.`;
    });
  }
});
