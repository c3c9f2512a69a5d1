# Embeds a text file as a NUL-terminated C array (cmake -DIN=… -DOUT=…
# -DNAME=… -P embed.cmake): the page script of the rendering fallback
# (crawler/render.js) stays a readable script in the source tree.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," arr "${hex}")
file(WRITE ${OUT} "/* Generated from ${IN}: do not edit. */\nstatic const char ${NAME}[] = { ${arr} 0x00 };\n")
