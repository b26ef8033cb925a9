(component (core module (func (result i32))))
