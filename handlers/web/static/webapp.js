/* The Mini App sign-in (handlers/web/webapp.py): hand Telegram's initData to the server. */
// Telegram passes initData in the fragment (#tgWebAppData=…): it never reaches a server log
(async () => {
  const status = document.getElementById("status");
  const data = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");
  if (!data) { status.textContent = "Откройте панель кнопкой меню в чате с ботом или отправьте боту /web."; return; }
  const response = await fetch("/web/webapp", {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/x-www-form-urlencoded"},
    body: new URLSearchParams({init_data: data}),
  });
  if (response.ok) { location.replace((await response.json()).next); return; }
  status.textContent = await response.text();
})();
