#!/usr/bin/env bash
# Regenerates the README's pictures from the real program (not part of the
# test suite; run it when the report or the language server changes):
#   docs/images/web-shop-dfd.png our own layout of the web shop
#   docs/images/report.png       the HTML report of the web shop, in headless Chromium
#   docs/images/editor-lsp.png   Neovim with `tms lsp`: a question on `web` and its code actions
# Needs: chromium, tmux, nvim (0.7 or later), python3 with ansi2html.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
tms=$PWD/target/debug/tms
work=$(mktemp -d)
trap 'rm -rf "$work"; tmux kill-session -t tms-shot 2>/dev/null || true' EXIT
python=${TMS_PYTHON:-python3}

shot() { # URL WIDTH HEIGHT OUT
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/chromium" --hide-scrollbars --window-size="$2,$3" \
        --screenshot="$4" "$1" >/dev/null 2>&1
}

"$tms" diagram examples/web-shop.yaml --format png -o docs/images/web-shop-dfd.png
"$tms" report examples/web-shop.yaml --format html -o "$work/report.html"
shot "file://$work/report.html" 1280 1500 docs/images/report.png

cat >"$work/init.lua" <<'LUA'
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = 'yes'
vim.cmd('syntax on')
vim.diagnostic.config({ virtual_text = true, severity_sort = true })
local client = vim.lsp.start_client({ name = 'tms', cmd = { vim.env.TMS_BIN, 'lsp' }, root_dir = vim.fn.getcwd() })
vim.api.nvim_create_autocmd('BufEnter', { callback = function() vim.lsp.buf_attach_client(0, client) end })
LUA
line=$(grep -n '^  - id: web$' examples/web-shop.yaml | cut -d: -f1)
tmux new-session -d -s tms-shot -x 110 -y 32 \
    "TMS_BIN=$tms nvim -u $work/init.lua +$line examples/web-shop.yaml"
sleep 4
tmux send-keys -t tms-shot zt
sleep 2
tmux send-keys -t tms-shot ':lua vim.lsp.buf.code_action()' Enter
sleep 3
tmux capture-pane -t tms-shot -e -p >"$work/editor.ansi"
"$python" - "$work/editor.ansi" "$work/editor.html" <<'PY'
import sys
from ansi2html import Ansi2HTMLConverter
html = Ansi2HTMLConverter(dark_bg=True, font_size="15px", title="tms lsp").convert(open(sys.argv[1]).read())
style = 'pre.ansi2html-content{font-family:"DejaVu Sans Mono",monospace;line-height:1.25;margin:0;padding:10px} body{margin:0}'
open(sys.argv[2], "w").write(html.replace("</style>", style + "</style>"))
PY
shot "file://$work/editor.html" 1010 630 docs/images/editor-lsp.png
echo "wrote docs/images/web-shop-dfd.png, report.png and editor-lsp.png"
