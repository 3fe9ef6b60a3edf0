"""TaoSR1 stage 0: gold CoTs written by a teacher model from the atomic rules, verified by the rule set.

    python -m trainers.teach --teacher http://127.0.0.1:8000/v1 --model teacher --rules rules/catalog/ecommerce.yaml \\
        --data rows.jsonl --out runs/teach/rows.jsonl

- `prompt`: the teacher prompt (the one place it is defined); `teacher`: the backends, retries, cache;
  `verify`: the checks and rejection reasons; `store`: OUT and its side files, resume; `report`: JSON and
  Markdown; `run`: the loop; `cli`: the command.
"""

from trainers.teach.prompt import teacher_messages
from trainers.teach.run import TeachSettings, teach, teach_row
from trainers.teach.teacher import Teacher, TeachError
from trainers.teach.verify import REJECTIONS, Check, verify_cot

__all__ = ["REJECTIONS", "Check", "TeachError", "TeachSettings", "Teacher", "teach", "teach_row", "teacher_messages",
           "verify_cot"]
