"""socialpolicy: a Slack and Teams assistant for social media codes of conduct.

`bot.core` is the pure core (no Slack, Teams, Chroma or LangChain imports);
`bot.infra` implements its ports; `bot.channels` are the CLI, Slack and Teams
adapters, which only translate and render.
"""

import os as _os

# One BLAS thread unless the operator says otherwise: our matrices are small,
# and on two busy cores OpenBLAS's spinning threads made a router fit take
# 14 s of wall time instead of 3 (measured). Set before numpy loads OpenBLAS.
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, "1")
