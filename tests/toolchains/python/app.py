# A componentize-py component: CPython inside, one exported function.
import wit_world
from wit_world import exports


class Greet(exports.Greet):
    def hello(self, name: str) -> str:
        return "hello " + name
