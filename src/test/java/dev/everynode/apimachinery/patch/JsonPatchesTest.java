package dev.everynode.apimachinery.patch;

import static dev.everynode.apimachinery.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class JsonPatchesTest {

    /** RFC 7396 appendix A, in order. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            replacing a member                   | {'a':'b'}              | {'a':'c'}            | {'a':'c'}
            adding a member                      | {'a':'b'}              | {'b':'c'}            | {'a':'b','b':'c'}
            removing a member with null          | {'a':'b'}              | {'a':null}           | {}
            removing one of two members          | {'a':'b','b':'c'}      | {'a':null}           | {'b':'c'}
            an array replaces an array           | {'a':['b']}            | {'a':'c'}            | {'a':'c'}
            a string replaces an array           | {'a':'c'}              | {'a':['b']}          | {'a':['b']}
            nested objects merge                 | {'a':{'b':'c'}}        | {'a':{'b':'d','c':null}} | {'a':{'b':'d'}}
            arrays are never merged              | {'a':[{'b':'c'}]}      | {'a':[1]}            | {'a':[1]}
            an array patch replaces the document | ['a','b']              | ['c','d']            | ['c','d']
            an object patch replaces an array    | {'a':'b'}              | ['c']                | ['c']
            a null patch replaces the document   | {'a':'foo'}            | null                 | null
            a string patch replaces the document | {'a':'foo'}            | 'bar'                | 'bar'
            existing null members of the target stay | {'e':null} | {'a':1}      | {'e':null,'a':1}
            a non-object target becomes an object | ['a','b']             | {'a':'b'}            | {'a':'b'}
            new nested objects lose their nulls  | {}                     | {'a':{'bb':{'ccc':null}}} | {'a':{'bb':{}}}
            """)
    void appliesMergePatch(String description, String target, String patch, String expected) {
        assertThat(JsonPatches.applyMergePatch(json(target), json(patch))).isEqualTo(json(expected));
    }

    /** RFC 6902 appendix A (A.1 to A.16, except the ones that are not valid JSON documents). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            A.1 adding an object member          | {'foo':'bar'} | [{'op':'add','path':'/baz','value':'qux'}] | {'baz':'qux','foo':'bar'}
            A.2 adding an array element          | {'foo':['bar','baz']} | [{'op':'add','path':'/foo/1','value':'qux'}] | {'foo':['bar','qux','baz']}
            A.3 removing an object member        | {'baz':'qux','foo':'bar'} | [{'op':'remove','path':'/baz'}] | {'foo':'bar'}
            A.4 removing an array element        | {'foo':['bar','qux','baz']} | [{'op':'remove','path':'/foo/1'}] | {'foo':['bar','baz']}
            A.5 replacing a value                | {'baz':'qux','foo':'bar'} | [{'op':'replace','path':'/baz','value':'boo'}] | {'baz':'boo','foo':'bar'}
            A.6 moving a value                   | {'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}} | [{'op':'move','from':'/foo/waldo','path':'/qux/thud'}] | {'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}
            A.7 moving an array element          | {'foo':['all','grass','cows','eat']} | [{'op':'move','from':'/foo/1','path':'/foo/3'}] | {'foo':['all','cows','eat','grass']}
            A.8 testing a value success          | {'baz':'qux','foo':['a',2,'c']} | [{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}] | {'baz':'qux','foo':['a',2,'c']}
            A.10 adding a nested member object   | {'foo':'bar'} | [{'op':'add','path':'/child','value':{'grandchild':{}}}] | {'foo':'bar','child':{'grandchild':{}}}
            A.11 ignoring unrecognized elements  | {'foo':'bar'} | [{'op':'add','path':'/baz','value':'qux','xyz':123}] | {'foo':'bar','baz':'qux'}
            A.14 escape ordering                 | {'/':9,'~1':10} | [{'op':'test','path':'/~01','value':10}] | {'/':9,'~1':10}
            A.16 adding an array value           | {'foo':['bar']} | [{'op':'add','path':'/foo/-','value':['abc','def']}] | {'foo':['bar',['abc','def']]}
            the empty path replaces the document | {'foo':'bar'} | [{'op':'replace','path':'','value':[1]}] | [1]
            copy duplicates a value              | {'a':{'b':1}} | [{'op':'copy','from':'/a','path':'/c'}] | {'a':{'b':1},'c':{'b':1}}
            numbers test equal by value          | {'a':1} | [{'op':'test','path':'/a','value':1.0}] | {'a':1}
            objects test equal in any order      | {'a':{'x':1,'y':2}} | [{'op':'test','path':'/a','value':{'y':2,'x':1}}] | {'a':{'x':1,'y':2}}
            a tilde-zero escape                  | {'m~n':1} | [{'op':'remove','path':'/m~0n'}] | {}
            operations apply in order            | {} | [{'op':'add','path':'/a','value':[]},{'op':'add','path':'/a/0','value':1},{'op':'add','path':'/a/-','value':2}] | {'a':[1,2]}
            """)
    void appliesJsonPatch(String description, String target, String patch, String expected) {
        assertThat(JsonPatches.applyJsonPatch(json(target), json(patch))).isEqualTo(json(expected));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            A.9 a failing test                    | {'baz':'qux'} | [{'op':'test','path':'/baz','value':'bar'}] | test operation failed
            A.12 adding to a nonexistent target   | {'foo':'bar'} | [{'op':'add','path':'/baz/bat','value':'qux'}] | path not found
            A.15 comparing strings and numbers    | {'/':9,'~1':10} | [{'op':'test','path':'/~01','value':'10'}] | test operation failed
            removing a missing member             | {'a':1} | [{'op':'remove','path':'/b'}] | path not found
            replacing a missing member            | {'a':1} | [{'op':'replace','path':'/b','value':2}] | path not found
            an index past the end                 | {'a':[1]} | [{'op':'add','path':'/a/2','value':2}] | index out of bounds
            an index with a leading zero          | {'a':[1,2]} | [{'op':'remove','path':'/a/01'}] | path not found
            moving a value into its own child     | {'a':{'b':1}} | [{'op':'move','from':'/a','path':'/a/b/c'}] | into its own child
            an unknown operation                  | {} | [{'op':'frobnicate','path':'/a'}] | unsupported operation
            an add without value                  | {} | [{'op':'add','path':'/a'}] | missing "value"
            a pointer without leading slash       | {'a':1} | [{'op':'remove','path':'a'}] | invalid JSON pointer
            a patch that is not an array          | {} | {'op':'add'} | must be a JSON array
            """)
    void rejectsFailingJsonPatches(String description, String target, String patch, String message) {
        assertThatThrownBy(() -> JsonPatches.applyJsonPatch(json(target), json(patch)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aFailedPatchLeavesTheTargetUntouched() {
        JsonNode target = json("{'a':1}");
        assertThatThrownBy(() -> JsonPatches.applyJsonPatch(target,
                json("[{'op':'add','path':'/b','value':2},{'op':'test','path':'/a','value':2}]")));
        assertThat(target).isEqualTo(json("{'a':1}"));
    }
}
